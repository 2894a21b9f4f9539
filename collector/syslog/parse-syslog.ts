/**
 * One syslog message to its parts. Two formats:
 *  - RFC 3164 (BSD), as nginx sends it (ngx_syslog_add_header):
 *      <PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG      (HOSTNAME absent with `nohostname`)
 *  - RFC 5424:  <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [BOM]MSG
 * Pure: returns the parts or the reason the bytes are not syslog.
 */
export interface SyslogMessage {
  facility: number;
  severity: number;
  hostname: string;
  tag: string;
  msg: string;
}
export type SyslogResult = { ok: true; message: SyslogMessage } | { ok: false; reason: 'not_syslog'; detail: string };

const PRI = /^<(\d{1,3})>/;
const RFC3164_TIME = /^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} /;
// RFC 3164 §4.1.3: the TAG is alphanumeric (nginx allows "_" too) and at most 32 characters.
const TAG = /^([A-Za-z0-9_.\-/]{1,48})(?:\[\d+\])?: ?/;
const NILVALUE = '-';

function parse5424(rest: string): Omit<SyslogMessage, 'facility' | 'severity'> | string {
  // VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD
  const fields: string[] = [];
  let pos = 0;
  for (let i = 0; i < 6; i++) {
    const sp = rest.indexOf(' ', pos);
    if (sp < 0) return 'RFC 5424 header is incomplete';
    fields.push(rest.slice(pos, sp));
    pos = sp + 1;
  }
  // STRUCTURED-DATA: "-" or one or more [id param="value"…] elements (values may hold escaped "]").
  if (rest[pos] === '-') pos++;
  else if (rest[pos] === '[') {
    while (rest[pos] === '[') {
      let i = pos + 1;
      let quoted = false;
      for (; i < rest.length; i++) {
        const c = rest[i];
        if (c === '\\') i++;
        else if (c === '"') quoted = !quoted;
        else if (c === ']' && !quoted) break;
      }
      if (i >= rest.length) return 'RFC 5424 structured data is not closed';
      pos = i + 1;
    }
  } else return 'RFC 5424 structured data missing';
  let msg = rest.slice(pos).replace(/^ /, '');
  if (msg.startsWith('\uFEFF')) msg = msg.slice(1); // the BOM that marks a UTF-8 MSG
  const [, , hostname, app] = fields;
  return { hostname: hostname === NILVALUE ? '' : hostname!, tag: app === NILVALUE ? '' : app!, msg };
}

export function parseSyslog(text: string): SyslogResult {
  const pri = PRI.exec(text);
  if (!pri || Number(pri[1]) > 191) return { ok: false, reason: 'not_syslog', detail: 'does not start with a <PRI> of 0-191' };
  const value = Number(pri[1]);
  const facility = value >> 3;
  const severity = value & 7;
  const rest = text.slice(pri[0].length).replace(/[\r\n]+$/, '');
  if (rest.startsWith('1 ')) {
    const parts = parse5424(rest);
    if (typeof parts === 'string') return { ok: false, reason: 'not_syslog', detail: parts };
    return { ok: true, message: { facility, severity, ...parts } };
  }
  const time = RFC3164_TIME.exec(rest);
  if (!time) return { ok: false, reason: 'not_syslog', detail: 'neither an RFC 3164 timestamp nor an RFC 5424 version after <PRI>' };
  let after = rest.slice(time[0].length);
  let hostname = '';
  // With a hostname, the first word is followed by the tag; with `nohostname`, the first word is the tag.
  const first = TAG.exec(after);
  if (!first) {
    const sp = after.indexOf(' ');
    if (sp > 0) {
      hostname = after.slice(0, sp);
      after = after.slice(sp + 1);
    }
  }
  const tag = TAG.exec(after);
  if (!tag) return { ok: true, message: { facility, severity, hostname, tag: '', msg: after } };
  return { ok: true, message: { facility, severity, hostname, tag: tag[1]!, msg: after.slice(tag[0].length) } };
}
