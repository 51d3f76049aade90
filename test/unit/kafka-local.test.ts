import { newClusterId } from "../../lib/kafka-local";

describe("newClusterId", () => {
  it("never starts with '-', which kafka-storage would parse as an option", () => {
    // 0xf8 = 111110xx: the first base64url digit is 62, '-'.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    const random = jest.fn((n: number) => {
      expect(n).toBe(16);
      return draws.shift()!;
    });
    expect(Buffer.alloc(16, 0xf8).toString("base64url").startsWith("-")).toBe(true);
    const id = newClusterId(random);
    expect(random).toHaveBeenCalledTimes(2);
    expect(id).toBe(Buffer.alloc(16, 0x01).toString("base64url"));
  });

  it("is a 22-character base64url id (16 bytes), different each time", () => {
    const ids = Array.from({ length: 200 }, () => newClusterId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
