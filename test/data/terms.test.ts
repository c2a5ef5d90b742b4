import { describe, expect, it } from "vitest";
import { termCounts, termsOf } from "../../src/data/terms.js";

describe("termCounts", () => {
  it("counts each term of termsOf once per occurrence, in order of first occurrence", () => {
    const text = "Go team go! Team spirit";
    expect(termsOf(text)).toEqual(["go", "team", "go", "team", "spirit", "go team", "team go", "go team", "team spirit"]);
    expect([...termCounts(text)]).toEqual([
      ["go", 2],
      ["team", 2],
      ["spirit", 1],
      ["go team", 2],
      ["team go", 1],
      ["team spirit", 1],
    ]);
    expect(termCounts("a ! ?").size).toBe(0);
  });
});

describe("termsOf in scripts written without spaces", () => {
  it.each([
    ["Japanese", "東京オリンピック開幕", ["東京", "オリンピック", "開幕", "東京 オリンピック", "オリンピック 開幕"]],
    ["Japanese, one-kana particles left out as one-letter words are", "今日は良い天気", ["今日", "良い", "天気", "今日 良い", "良い 天気"]],
    ["Chinese, a one-character word kept (an ideograph)", "我爱北京", ["我", "爱", "北京", "我 爱", "爱 北京"]],
    ["a lone ideograph between punctuation", "猫、かわいい", ["猫", "かわいい", "猫 かわいい"]],
    ["Thai", "วันนี้อร่อยมาก", ["วัน", "นี้", "อร่อย", "มาก", "วัน นี้", "นี้ อร่อย", "อร่อย มาก"]],
    ["mixed with English, which splits as before (don't → don)", "Don't miss 東京2020 a", ["don", "miss", "東京", "2020", "don miss", "miss 東京", "東京 2020"]],
  ])("%s", (_name, text, expected) => {
    expect(termsOf(text)).toEqual(expected);
  });

  it("leaves Korean, written with spaces, and text without those scripts to the plain word pattern", () => {
    expect(termsOf("블랙핑크 지수 오늘")).toEqual(["블랙핑크", "지수", "오늘", "블랙핑크 지수", "지수 오늘"]);
    expect(termsOf("I can't, x_y 2023!")).toEqual(["can", "x_y", "2023", "can x_y", "x_y 2023"]);
  });
});
