import { userAgentVerdict } from '../processor/bots/user-agent-verdict.ts';
const CRAWLER_MARKS = /(?:bot|spider|scraper|slurp)\b|bot[/_-]|crawl|https?:\/\/|@|feed ?(?:parser|fetcher)|headless|lighthouse|python|\bcurl\/|wget|\bjava\/\d|go-http|okhttp|http-?client|libwww|scanner|preview|monitor|lookup|devtools|qcloudcdn|googleweblight|firephp/i;
const ua = 'Mozilla/4.0 (Vodafone/1.0/LG-GU280/v10a Browser/Obigo-Q7.3 MMS/LG-MMS-V1.0/1.2 Java/ASVM/1.1 Profile/MIDP-2.1 Configuration/CLDC-1.1)';
console.log(userAgentVerdict(ua), CRAWLER_MARKS.exec(ua));
