SELECT min(seed) AS seed FROM replay_seeds WHERE file_hash = {file_hash:String}
