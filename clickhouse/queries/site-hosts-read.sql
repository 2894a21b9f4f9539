-- Every host name learned for every site.
SELECT site, host FROM site_hosts GROUP BY site, host
