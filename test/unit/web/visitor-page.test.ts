import { describe, expect, it } from 'vitest';
import { visitorPage } from '../../../clients/widget/visitor-page';

describe('widget: where the chat starts', () => {
  it('sends http(s) page and referrer without their fragment, and a trimmed, bounded user agent', () => {
    expect(
      visitorPage({
        href: 'https://shop.example/cart?item=4#access_token=secret',
        referrer: 'https://search.example/?q=x',
        userAgent: `  Mozilla/5.0\n${'x'.repeat(400)}`,
      }),
    ).toEqual({
      page: 'https://shop.example/cart?item=4',
      referrer: 'https://search.example/?q=x',
      userAgent: `Mozilla/5.0 ${'x'.repeat(300 - 'Mozilla/5.0 '.length)}`,
    });
  });

  it('leaves out what the server would refuse: other schemes, no referrer, over-long addresses', () => {
    expect(visitorPage({ href: 'file:///tmp/page.html', referrer: '', userAgent: '' })).toEqual({});
    expect(visitorPage({ href: `https://shop.example/${'a'.repeat(2000)}`, referrer: 'about:blank', userAgent: 'UA' })).toEqual({
      userAgent: 'UA',
    });
  });
});
