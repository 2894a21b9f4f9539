    -- Text rules of the JavaScript parse step, as lambdas (ClickHouse inlines a WITH lambda where it is called).
    -- JavaScript's \s (ECMA-262 WhiteSpace and LineTerminator), which String#trim and the parsers' regular
    -- expressions use; RE2's \s is ASCII only.
    '[\\t\\n\\x0B\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]' AS js_space,
    s -> replaceRegexpOne(s, concat(js_space, '+$'), '') AS js_trim_end,
    s -> replaceRegexpOne(js_trim_end(s), concat('^', js_space, '+'), '') AS js_trim,
    -- common/clean-text.ts: C0 controls but tab, line feed and carriage return, DEL and C1 become U+FFFD. Lone
    -- surrogates cannot reach here: JSON text has them made U+FFFD before it is read (fix_surrogates).
    s -> replaceRegexpAll(s, '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x{7F}-\\x{9F}]', '\xEF\xBF\xBD') AS clean_text,
    -- A "\ud800" escape without its other half is valid JSON to JSON.parse (RFC 8259 §8.2), which makes it a lone
    -- surrogate that clean_text's rule turns into U+FFFD; the engine's JSON reader refuses the document instead,
    -- so such escapes become "\ufffd" first. Escape pairs and other escapes are kept as they are.
    j -> if(
        position(j, '\\u') = 0,
        j,
        arrayStringConcat(arrayMap(
            t -> if(length(t) = 6 AND match(t, '^\\\\u[dD][89a-fA-F]'), '\\ufffd', t),
            extractAll(j, '\\\\u[dD][89abAB][0-9a-fA-F]{2}\\\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\\\u[0-9a-fA-F]{4}|\\\\[^u]|[^\\\\]+|\\\\')))
    ) AS fix_surrogates,
    -- The UTF-16 length of each character (String#length counts code units), to cut where JavaScript cuts.
    s -> extractAll(s, '(?s).') AS chars_of,
    cs -> arrayCumSum(arrayMap(c -> if(length(c) = 4, 2, 1), cs)) AS utf16_ends,
    -- common/clean-text.ts cutText: at most `max` code units, never half a pair.
    (s, max) -> if(
        length(s) <= max,
        s,
        arrayMap(cs -> arrayStringConcat(arrayFilter((c, e) -> e <= max, cs, utf16_ends(cs))), [chars_of(s)])[1]
    ) AS cut_text,
    -- String#slice(0, max): half a pair at the end is a lone surrogate, which clean_text would make U+FFFD.
    (s, max) -> if(
        length(s) <= max,
        s,
        concat(
            arrayStringConcat(arrayFilter((c, e) -> e <= max, chars_of(s), utf16_ends(chars_of(s)))),
            if(arrayExists((c, e) -> length(c) = 4 AND e = max + 1, chars_of(s), utf16_ends(chars_of(s))), '\xEF\xBF\xBD', ''))
    ) AS js_slice,
    -- Number(text) (ECMA-262 StringToNumber): decimal, Infinity and 0x hex (up to 16 digits); anything else NaN.
    s -> arrayMap(t -> multiIf(
        t = '', 0.,
        match(t, '^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$'), ifNull(toFloat64OrNull(t), if(startsWith(t, '-'), -inf, inf)),
        match(t, '^[+-]?Infinity$'), if(startsWith(t, '-'), -inf, inf),
        match(t, '^0[xX][0-9a-fA-F]{1,16}$'), toFloat64(reinterpretAsUInt64(reverse(unhex(leftPad(substring(t, 3), 16, '0'))))),
        nan), [js_trim(s)])[1] AS js_number,
    -- Math.round, and numbers/clampInt: a non-negative integer within a column's range.
    x -> floor(x + 0.5) AS js_round,
    (x, max) -> if(isFinite(x) AND x > 0, least(js_round(x), max), 0.) AS clamp_int,
    -- String(number): shortest round trip, as the engine writes it, but "1e+21" and "0" for -0.
    f -> if(f = 0, '0', replaceRegexpOne(toString(f), 'e([0-9])', 'e+\\1')) AS js_number_text,
