/**
 * Finds where a JSON text first goes wrong. Node's JSON.parse does not always
 * say (for "Unexpected token" it quotes the text instead of giving a
 * position), and an author fixing a template wants a line and column. This is
 * only run after JSON.parse has failed, so it needs to find the spot, not to
 * build values.
 */
export function jsonErrorOffset(text: string): number {
  let position = 0;

  class Stop extends Error {}
  const fail = (): never => {
    throw new Stop();
  };
  const skipBlanks = () => {
    while (position < text.length && ' \t\r\n'.includes(text[position]!)) position++;
  };
  const expect = (char: string) => {
    if (text[position] !== char) fail();
    position++;
  };
  const literal = (word: string) => {
    if (!text.startsWith(word, position)) fail();
    position += word.length;
  };
  const string = () => {
    expect('"');
    while (position < text.length) {
      const char = text[position]!;
      if (char === '"') {
        position++;
        return;
      }
      if (char < ' ') fail();
      if (char === '\\') {
        position++;
        const escape = text[position];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(position + 1, position + 5))) fail();
          position += 4;
        } else if (escape === undefined || !'"\\/bfnrt'.includes(escape)) {
          fail();
        }
      }
      position++;
    }
    fail();
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(position));
    if (!match) fail();
    position += match![0].length;
  };
  const value = (): void => {
    skipBlanks();
    const char = text[position];
    if (char === '{') return members('}', () => {
      string();
      skipBlanks();
      expect(':');
      value();
    });
    if (char === '[') return members(']', value);
    if (char === '"') return string();
    if (char === 't') return literal('true');
    if (char === 'f') return literal('false');
    if (char === 'n') return literal('null');
    return number();
  };
  const members = (close: string, member: () => void) => {
    position++;
    skipBlanks();
    if (text[position] === close) {
      position++;
      return;
    }
    for (;;) {
      skipBlanks();
      member();
      skipBlanks();
      if (text[position] === close) {
        position++;
        return;
      }
      expect(',');
    }
  };

  try {
    value();
    skipBlanks();
    return position < text.length ? position : -1;
  } catch (error) {
    if (error instanceof Stop) return position;
    throw error;
  }
}
