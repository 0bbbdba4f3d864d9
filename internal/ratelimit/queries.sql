-- name: Hit :one
-- Counts one request for key in its current window, or starts a new window (of one
-- request, ending at @fresh_end) when the last one has ended: one atomic statement, so
-- concurrent requests on any replica each see their own count.
INSERT INTO rate_limits AS r (key, window_end, hits)
VALUES (@key, @fresh_end, 1)
ON CONFLICT (key) DO UPDATE SET
    window_end = CASE WHEN r.window_end <= @now THEN excluded.window_end ELSE r.window_end END,
    hits       = CASE WHEN r.window_end <= @now THEN 1 ELSE r.hits + 1 END
RETURNING window_end, hits;

-- name: DeleteEnded :execrows
DELETE FROM rate_limits WHERE window_end <= @now;
