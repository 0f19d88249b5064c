import type { VisitorContext } from '../parley-client/src/index';

/** The server's bounds (docs/protocol.md, start.visitor): anything outside them is left out, never sent to be refused. */
const MAX_URL_CHARS = 2000;
const MAX_USER_AGENT_CHARS = 300;
const CONTROL_CHARACTERS = /\p{Cc}/gu;

/** An http(s) address without its fragment (fragments can hold tokens, e.g. OAuth's), or undefined. */
function pageAddress(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    const text = url.toString();
    return text.length <= MAX_URL_CHARS ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Where the chat starts, for staff: the page, the referrer and the browser, each bounded as the server wants. */
export function visitorPage(page: {
  href: string;
  referrer: string;
  userAgent: string;
}): Pick<VisitorContext, 'page' | 'referrer' | 'userAgent'> {
  const href = pageAddress(page.href);
  const referrer = page.referrer ? pageAddress(page.referrer) : undefined;
  const userAgent = page.userAgent.replace(CONTROL_CHARACTERS, ' ').trim().slice(0, MAX_USER_AGENT_CHARS).trim();
  return {
    ...(href ? { page: href } : {}),
    ...(referrer ? { referrer } : {}),
    ...(userAgent ? { userAgent } : {}),
  };
}
