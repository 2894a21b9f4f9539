-- The records the engine parses (_parse-combined.sql), read back in batch order
-- (tests/helpers/parse-staged.ts, for tests/integration/stage-parse.test.ts).
-- @parse-combined
ORDER BY seq
-- Every expression is evaluated on every row (each conversion is an -OrZero one, every date clamped, so none can
-- fail on a line that is not plain): short-circuit evaluation (the default, `enable`) runs the lazy branches of
-- if, multiIf, and, or on the filtered rows of each, copying the columns they read for every one, which made this
-- query ten times slower on 5,000 lines.
SETTINGS output_format_json_quote_64bit_integers = 0, short_circuit_function_evaluation = 'disable'
