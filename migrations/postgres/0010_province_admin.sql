-- A province administrator creates offices and their admins and sees
-- every office; they belong to an office of their own (where they sign in).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('province_admin', 'admin', 'manager', 'staff'));
