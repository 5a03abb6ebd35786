-- Why a session ended, so that the sign-in page can tell the person whose
-- page went back to it: 'logout'; 'taken_over' (someone else signed in at
-- the same counter); 'password' (an admin set a new one); 'disabled';
-- 'role' (their role changed); 'counters' (they may no longer work the
-- counter they sat at). NULL for sessions that ended before this column,
-- or have not ended.
ALTER TABLE sessions ADD COLUMN end_reason TEXT;
