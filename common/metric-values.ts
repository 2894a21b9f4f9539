/**
 * A metric's current values as plain data (the shape of prom-client's
 * getMetricsAsJSON): what the server's metrics registry gives and the health
 * report (alerts/health-report.ts) writes to ClickHouse, without either
 * knowing the other.
 */
export interface MetricValues {
  name: string;
  type: string;
  values: Array<{ labels: Record<string, string | number>; value: number }>;
}
