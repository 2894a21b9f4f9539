  AND ({entry:String} = '' OR entry_path = {entry:String})
  AND ({channel:String} = '' OR channel = {channel:String})
  AND ({device:String} = '' OR device_type = {device:String})
  AND ({country:String} = '' OR country = {country:String})
