/**
 * The user-agent verdict (processor/bots/): recall on isbot's crawler list and
 * false positives on real browsers (isbot's browser list, and the browser
 * families of uap-core's labelled test user agents), each printed; every
 * curated exception with a user agent isbot alone calls a bot; and bots named
 * by their own product token.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isbot } from 'isbot';
import { userAgentVerdict } from '../../processor/bots/user-agent-verdict.ts';
import { botNameOf } from '../../processor/bots/bot-name.ts';
import { fixture } from '../helpers/fixtures.ts';

const agents = (file: string): string[] =>
  Object.values(parse(readFileSync(fixture(`useragents/${file}`), 'utf8')) as Record<string, string[]>).flat();
const isBot = (ua: string) => userAgentVerdict(ua).bot;
const rate = (part: number, whole: number) => `${part}/${whole} (${((100 * part) / whole).toFixed(2)}%)`;

describe('user-agent verdict on labelled corpora', () => {
  it('recalls at least 99.5% of the crawlers in isbot-crawlers.yml', () => {
    const crawlers = agents('isbot-crawlers.yml');
    const caught = crawlers.filter(isBot).length;
    console.log(`crawlers recalled: ${rate(caught, crawlers.length)}`);
    expect(caught / crawlers.length).toBeGreaterThanOrEqual(0.995);
  });

  it("calls at most 0.5% of real browsers bots: isbot-browsers.yml and uap-core's browser families", () => {
    const browsers = agents('isbot-browsers.yml');
    const uap = (
      parse(readFileSync(fixture('useragents/uap-core-test_ua.yaml'), 'utf8')) as {
        test_cases: { user_agent_string: string; family: string }[];
      }
    ).test_cases;
    // Families of browsers people use (uap-core also labels crawlers and libraries, which are left out).
    const BROWSERS =
      /^(Chrome|Chrome Mobile|Chrome Mobile iOS|Chrome Mobile WebView|Chromium|Firefox|Firefox Mobile|Firefox iOS|Safari|Mobile Safari|Mobile Safari UI\/WKWebView|Edge|Edge Mobile|Opera|Opera Mini|Opera Mobile|Samsung Internet|IE|IE Mobile|UC Browser|Yandex Browser|Vivaldi|Silk|Amazon Silk|Android|BlackBerry WebKit|Facebook|Instagram|Dolfin|Obigo|QQ Browser|MiuiBrowser|Puffin|Pale Moon|SeaMonkey|Konqueror|Epiphany|Maxthon|NetFront|Nokia Browser|Apple Mail|Thunderbird|Coc Coc|Whale|Huawei Browser|Phantom Browser|Teleca Browser|Openwave|Chrome Frame)$/;
    // uap-core files Google's "Web Preview" renderer under Chrome; it is Google's bot.
    const uapBrowsers = uap
      .filter((c) => BROWSERS.test(c.family) && !c.user_agent_string.includes('Google Web Preview'))
      .map((c) => c.user_agent_string);
    expect(uapBrowsers.length).toBeGreaterThan(200);
    const all = [...browsers, ...uapBrowsers];
    const wrong = all.filter(isBot);
    console.log(
      `browsers called bots: ${rate(wrong.length, all.length)}; isbot alone: ${rate(all.filter((ua) => isbot(ua)).length, all.length)}`,
    );
    expect(wrong.length / all.length).toBeLessThanOrEqual(0.005);
  });
});

describe("people's software that isbot alone calls a bot", () => {
  it.each([
    [
      'Facebook in-app browser',
      '[FBAN/FB4A;FBAV/2.3;FBBV/149649;FBDM/{density=1.5,width=480,height=800};FBLC/es_ES;FBCR/;FBPN/com.facebook.katana;FBDV/LG-P920;FBSV/2.2.2;]',
    ],
    [
      'Roblox app',
      'Mozilla/5.0 (4096MB; 1280x720; 200x200; 1024x576; OnePlus CPH2413; 13) AppleWebKit/537.36 (KHTML, like Gecko) ROBLOX Android App 2.706.750 Tablet Hybrid()',
    ],
    [
      'iOS news app web view',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 10_0_2 like Mac OS X) AppleWebKit/602.1.50 (KHTML, like Gecko) AppleNews/608.0.1 Version/2.0.1',
    ],
    [
      'iOS app web view',
      'Mozilla/5.0 (iPad; CPU OS 12_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 TopBuzz com.alex.NewsMaster/8.2.1 (iPad; iOS 12.3.1; Scale/2.00)',
    ],
    [
      'Internet Explorer with Chrome Frame',
      'Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.0; Trident/4.0; chromeframe; SLCC1; .NET CLR 2.0.50727; .NET CLR 3.5.30729)',
    ],
    [
      'feature phone (Obigo)',
      'Mozilla/4.0 (Vodafone/1.0/LG-GU280/v10a Browser/Obigo-Q7.3 MMS/LG-MMS-V1.0/1.2 Java/ASVM/1.1 Profile/MIDP-2.1 Configuration/CLDC-1.1)',
    ],
    [
      'Samsung Bada phone',
      'Mozilla/5.0 (SAMSUNG; SAMSUNG-GT-S8500/S8500XXJEE; U; Bada/1.0; nl-nl) AppleWebKit/533.1 (KHTML, like Gecko) Dolfin/2.0 Mobile WVGA SMM-MMS/1.2.0 OPN-B',
    ],
    [
      'Firefox developer preview',
      'Mozilla/5.0 (Windows; U; Windows NT 6.1; en-US; rv:1.9.3a1) Gecko/20100208 MozillaDeveloperPreview/3.7a1 (.NET CLR 3.5.30729)',
    ],
    [
      'a user agent logged with "+" for spaces',
      'Mozilla/5.0+(iPhone;+CPU+iPhone+OS+9_3_1+like+Mac+OS+X)+AppleWebKit/601.1.46+(KHTML,+like+Gecko)+Version/9.0+Mobile/13E238+Safari/601.1',
    ],
  ])('%s is a person', (_what, ua) => {
    expect(isbot(ua), 'isbot alone calls it a bot').toBe(true);
    expect(userAgentVerdict(ua)).toEqual({ bot: false });
  });

  it.each([
    ['podcast player', 'AppleCoreMedia/1.0.0.20G75 (iPhone; U; CPU OS 16_6 like Mac OS X; en_us)'],
    ['podcast app', 'AntennaPod/3.2.0'],
    ['Overcast, the app', 'Overcast/3.0 (+http://overcast.fm/; iOS podcast app)'],
    ['smart TV', 'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 76.0.3809.146/6.0 TV Safari/537.36'],
    ['LG TV', 'Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.79 Safari/537.36 WebAppManager'],
    [
      'Fire TV',
      'Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233) AppleWebKit/537.36 (KHTML, like Gecko) Silk/112.3.1 like Chrome/112.0.5615.213 Safari/537.36',
    ],
    ['KaiOS feature phone', 'Mozilla/5.0 (Mobile; Nokia_8110_4G; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5'],
    [
      'a phone whose model name sounds like a bot',
      'Mozilla/5.0 (Linux; Android 11; Discovery Elite 3 Build/RP1A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
    ],
  ])('%s is a person', (_what, ua) => {
    expect(userAgentVerdict(ua)).toEqual({ bot: false });
  });

  it.each([
    [
      'Googlebot on a phone',
      'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.201 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    ],
    ["a podcast app's feed parser", 'PocketCasts/1.0 (Pocket Casts Feed Parser; +http://pocketcasts.com/)'],
    ["Overcast's feed crawler", 'Overcast/1.0 Podcast Sync (+http://overcast.fm/)'],
    ["Spotify's podcast crawler", 'Spotify/1.0'],
    [
      'a monitor named as a phone model',
      'Mozilla/5.0 (Linux; U; Android 4.0.2; en-us; Catchpoint) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30',
    ],
    [
      'WeChat developer tools',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 13_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/7.0.12(0x17000c2f) NetType/4G Language/zh_CN wechatdevtools qcloudcdn-xinan',
    ],
    ['a feature-phone crawler', 'NokiaN70/. FASTMobileCrawl/6.6 Profile/MIDP-2.0 Configuration/CLDC-1.1'],
  ])('%s stays a bot', (_what, ua) => {
    expect(userAgentVerdict(ua)).toMatchObject({ bot: true, reason: 'user_agent_pattern' });
  });

  it('calls an empty user agent a bot', () => {
    expect(userAgentVerdict('  ')).toEqual({ bot: true, reason: 'empty_user_agent', name: '' });
  });
});

describe('bot names', () => {
  it.each([
    ['Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', 'AhrefsBot'],
    ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'bingbot'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Googlebot'],
    ['Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)', 'GPTBot'],
    ['Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)', 'SemrushBot'],
    [
      'Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)',
      'PetalBot',
    ],
    ['Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)', 'YandexBot'],
    ['facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', 'facebookexternalhit'],
    ['python-requests/2.25.1', 'python-requests'],
    ['curl/7.68.0', 'curl'],
    ['Wget/1.21.2', 'Wget'],
    ['Go-http-client/1.1', 'Go-http-client'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36', 'HeadlessChrome'],
  ])('%s → %s', (ua, name) => {
    expect(botNameOf(ua)).toBe(name);
    expect(userAgentVerdict(ua)).toEqual({ bot: true, reason: 'user_agent_pattern', name });
  });
});
