  AND ({page:String} = '' OR path = {page:String})
  AND ({status_class:UInt8} = 0 OR intDiv(status, 100) = {status_class:UInt8})
