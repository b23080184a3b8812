/**
 * SnowflakeURL: [http(s)://]host[:port]; https and port 443 unless given. The account is the
 * host's first label (xy12345 of xy12345.us-east-2.aws.snowflakecomputing.com, myorg-myacct of
 * myorg-myacct.snowflakecomputing.com).
 */
export interface SnowflakeUrl {
  /** Base URL of the SQL API, without a trailing slash. */
  base: string;
  host: string;
  account: string;
}

export function parseSnowflakeUrl(text: string): SnowflakeUrl | { error: string } {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { error: `${JSON.stringify(text)} is not a valid URL; use <account>.snowflakecomputing.com[:443]` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: `unsupported protocol ${url.protocol.replace(/:$/, '')}; use https` };
  if (url.pathname !== '/' && url.pathname !== '') return { error: 'the URL must not have a path' };
  return { base: `${url.protocol}//${url.host}`, host: url.hostname, account: url.hostname.split('.')[0]! };
}
