DELETE FROM replay_seeds WHERE file_hash = {file_hash:String}
