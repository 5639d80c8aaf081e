// Three issues a shop hears about, six ways each, interleaved as a stream brings them:
// what the stories tests cluster.
export const TOPICS: Record<string, string[]> = {
  delivery: [
    'my parcel has not been delivered',
    'where is my delivery, it was due yesterday',
    'the courier never delivered my package',
    'delivery is late again, still waiting for the parcel',
    'package marked delivered but nothing arrived',
    'when will my order be delivered?',
  ],
  login: [
    'I cannot log in to the app',
    'login fails with an error every time',
    'the app will not let me sign in',
    'password reset does not work, cannot log in',
    'stuck on the login screen',
    'sign in keeps failing on my phone',
  ],
  refund: [
    'still waiting for my refund',
    'refund has not reached my account',
    'how long does a refund take?',
    'you promised a refund two weeks ago',
    'I returned the item but got no refund',
    'where is my money back for the return?',
  ],
};

export const SHOP_ROWS = Object.entries(TOPICS).flatMap(([topic, texts]) => texts.map((text) => ({ topic, text })));
/** The same rows interleaved, as a stream would bring them. */
export const SHOP_STREAM = SHOP_ROWS.map((_, i) => SHOP_ROWS[(i * 7) % SHOP_ROWS.length]!);
