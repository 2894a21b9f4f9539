/** What syslog stream senders may hold (SYSLOG_MAX_CONNECTIONS, _PER_SENDER, SYSLOG_IDLE_TIMEOUT_SECONDS). */
import { loadConfig, type Config } from '../../common/config.ts';

export interface SyslogLimits {
  /** Most TCP (and, apart, TLS) connections open at once. */
  maxConnections: number;
  /** Most of them from one sender address (an IPv6 /64). */
  maxConnectionsPerSender: number;
  /** A connection that sends nothing this long is closed (while its hits wait for the bus, it is not idle). */
  idleTimeoutMs: number;
}

export function syslogLimits(
  config: Pick<Config, 'SYSLOG_MAX_CONNECTIONS' | 'SYSLOG_MAX_CONNECTIONS_PER_SENDER' | 'SYSLOG_IDLE_TIMEOUT_SECONDS'>,
): SyslogLimits {
  return {
    maxConnections: config.SYSLOG_MAX_CONNECTIONS,
    maxConnectionsPerSender: config.SYSLOG_MAX_CONNECTIONS_PER_SENDER,
    idleTimeoutMs: config.SYSLOG_IDLE_TIMEOUT_SECONDS * 1000,
  };
}

/** The limits of the settings' defaults, for receivers started without a configuration. */
export const DEFAULT_SYSLOG_LIMITS: SyslogLimits = syslogLimits(loadConfig({}));
