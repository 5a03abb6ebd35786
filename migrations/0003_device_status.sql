-- What each kiosk last said of its printer, for the monitor and the admin.
ALTER TABLE devices ADD COLUMN printer_status TEXT;
ALTER TABLE devices ADD COLUMN status_at INTEGER;
