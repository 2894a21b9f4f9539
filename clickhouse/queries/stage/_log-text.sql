    -- Stage 2, the log text (processor/steps/parse.ts): a line of printable ASCII without a backslash, so that no
    -- escape of the combined format (\" \xHH) or of JSON is in it and nothing in it needs cleaning
    -- (common/clean-text.ts); its only white space is the space, all String#trimEnd removes. A "{" starts JSON.
    SELECT
        seq,
        site,
        received_at,
        plain_hit AND match(line, '^[\\x20-\\x5B\\x5D-\\x7E]*$') AS plain_line,
        if(plain_line, trimRight(line), '') AS text,
        startsWith(text, '{') AS json_line
    FROM (
-- @envelope
    )
