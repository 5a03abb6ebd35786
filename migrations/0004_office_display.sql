-- What the hall display shows and says that belongs to the office: the
-- notice line that scrolls along the board's foot (empty: none) and the call
-- phrase, whose {số} and {quầy} become the ticket's and the counter's words.
ALTER TABLE offices ADD COLUMN notice TEXT NOT NULL DEFAULT '';
ALTER TABLE offices ADD COLUMN voice_phrase TEXT NOT NULL
    DEFAULT 'Xin mời công dân có số thứ tự {số} đến quầy số {quầy}';
