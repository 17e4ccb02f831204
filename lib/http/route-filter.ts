/**
 * Whether a request may be for one of the plugin's routes, by its URL alone, so that every
 * other request skips the private router: its pass cost about 5% of a trivial request.
 * Never narrower than the router: case-insensitive as Express's routing is by default, and a
 * URL not starting with "/" (an absolute-form target) or a prefix with characters that
 * Express's path patterns read (":", "*", "(", ...) always goes through it.
 */
export function createRouteFilter(apiPrefix: string): (url: string) => boolean {
  if (/[^\w\-./~%]/.test(apiPrefix)) return () => true;
  const routes = new RegExp(`^${apiPrefix.replaceAll('.', '\\.')}/(?:security/|me)`, 'i');
  return (url) => url.charCodeAt(0) !== 0x2f || routes.test(url);
}
