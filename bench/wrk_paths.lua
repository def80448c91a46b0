-- wrk script: requests the paths listed (one per line) in the file named by
-- the WRK_PATHS environment variable, in turn, so that wrk measures the server
-- over the same URLs the crawl fetches rather than one cached page.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local next_path = 0
request = function()
  next_path = next_path % #paths + 1
  return wrk.format(nil, paths[next_path])
end
