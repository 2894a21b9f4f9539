SELECT * EXCEPT (referrer_host, channel, own), if(own, '', referrer_host) AS referrer_host, if(own, 'direct', channel) AS channel
FROM
(
  -- A referral from one of the site's own hosts (site_hosts: learned, or SITE_HOSTS) is no source:
  -- the visit is direct, also for sessions written before the host was known.
  SELECT *, channel = 'referral' AND referrer_host IN (SELECT host FROM site_hosts WHERE site = {site:String}) AS own
  FROM sessions FINAL
  WHERE site = {site:String}
    AND start_ts >= {from:DateTime64(3, 'UTC')} - INTERVAL 7 DAY AND start_ts < {to:DateTime64(3, 'UTC')}
  -- @human
)
