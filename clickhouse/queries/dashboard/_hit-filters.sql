  -- @human
  -- @hit-conditions
  AND (
    ({entry:String} = '' AND {channel:String} = '' AND {device:String} = '' AND {country:String} = '')
    OR session_id IN (
      -- @filtered-session-ids
    )
  )
