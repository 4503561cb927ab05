-- The official client refuses a NULL element in a NOT NULL array column and stops the stream for
-- good (ParserNullValueError), so a NULL tag would break every replica that syncs tasks.
alter table tasks add constraint tasks_tags_no_null_elements check (array_position(tags, null) is null);
