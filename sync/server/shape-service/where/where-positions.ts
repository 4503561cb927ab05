/**
 * Converts the parser's node locations — byte offsets into the UTF-8 encoding of the wrapped
 * statement `SELECT 1 WHERE <where>` — back to positions in the JavaScript where string.
 */
export class WherePositions {
  /** UTF-16 index of the character each byte belongs to (plus one entry for the end); undefined for ASCII. */
  private readonly indexOfByte: readonly number[] | undefined;

  constructor(
    private readonly sql: string,
    private readonly prefixLength: number,
  ) {
    this.indexOfByte = /[\u0080-\uffff]/.test(sql) ? mapBytesToIndexes(sql) : undefined;
  }

  /** UTF-16 index into the where text of the character starting at `byteOffset`, clamped to the text. */
  whereIndex(byteOffset: number): number {
    const index = this.indexOfByte ? (this.indexOfByte[byteOffset] ?? this.sql.length) : byteOffset;
    return Math.min(Math.max(index - this.prefixLength, 0), this.sql.length - this.prefixLength);
  }

  /** 0-based character (code point) position in the where text, the unit Postgres reports positions in. */
  whereCharacter(byteOffset: number): number {
    const index = this.whereIndex(byteOffset);
    if (!this.indexOfByte) return index;
    return [...this.sql.slice(this.prefixLength, this.prefixLength + index)].length;
  }
}

function mapBytesToIndexes(text: string): number[] {
  const map: number[] = [];
  for (let index = 0; index < text.length;) {
    const codePoint = text.codePointAt(index) ?? 0;
    const bytes = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    for (let i = 0; i < bytes; i++) map.push(index);
    index += codePoint > 0xffff ? 2 : 1;
  }
  map.push(text.length);
  return map;
}
