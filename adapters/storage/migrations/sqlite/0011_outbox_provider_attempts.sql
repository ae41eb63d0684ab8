-- Which provider carried or failed each attempt at a message, in order, as
-- `<attempt> <provider> <outcome>` entries joined by ", " (e.g.
-- `1 aliyun unavailable, 1 tencent sent`). Empty for messages no real provider
-- has tried: mail, and the development adapter.
ALTER TABLE outbox_messages ADD COLUMN provider_attempts TEXT NOT NULL DEFAULT '';
