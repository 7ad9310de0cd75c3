-- One batch of 1,000 rows into model_key, the stream as an integer key.
\set b random(1, 2000000000)
SELECT nextval('model_stream_seq') AS s \gset
INSERT INTO model_key
SELECT (SELECT nextval('model_position_seq')) + g, 'bench-tenant',
       :s, g, 'w' || :b || '-' || g, 'Noted', 1,
       '{"Noted":{"at":"2026-03-02T09:00:00Z","by":"clerk-li","text":"材料已补齐, applicant notified"}}',
       'clerk-li', NULL, now(), now(),
       '\x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'::bytea
FROM generate_series(1, 1000) g;
