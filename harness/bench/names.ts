/**
 * Stack-generated physical names are long: `iot-backend-DdbCloudWatchEventProcessorFunction-ABC123XYZ`
 * reads better as `DdbCloudWatchEventProcessorFunction` in a one-line summary.
 */
export function shortName(name: string): string {
  const parts = name.replace(/^function /, '').split('-');
  if (parts.length < 3) return name;
  const withoutSuffix = /^[A-Z0-9]{8,}$/.test(parts[parts.length - 1]!) ? parts.slice(0, -1) : parts;
  return withoutSuffix[withoutSuffix.length - 1] ?? name;
}
