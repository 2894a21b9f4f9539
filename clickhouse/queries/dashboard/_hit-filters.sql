  AND ({page:String} = '' OR path = {page:String})
  AND ({status_class:UInt8} = 0 OR intDiv(status, 100) = {status_class:UInt8})
  AND (
    ({entry:String} = '' AND {channel:String} = '' AND {device:String} = '' AND {country:String} = '')
    OR session_id IN (
      -- @filtered-session-ids
    )
  )
