// browserBindingCookie: the Set-Cookie text a browser keeps (name, flags, lifetime), and reading it back from a
// Cookie header among others. The flags are the reason the binding defends the callback (DESIGN section 6).
import { describe, expect, it } from "vitest";
import { browserBindingCookie } from "./browser-binding-cookie.js";
import { SdkError } from "./sdk-error.js";

describe("browserBindingCookie", () => {
  it("on https: __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, the state's lifetime", () => {
    const cookie = browserBindingCookie({ name: "slack" });
    expect(cookie.name).toBe("__Host-sdk_binding_slack");
    expect(cookie.serialize("b1nd.ing_-")).toBe("__Host-sdk_binding_slack=b1nd.ing_-; Max-Age=600; Path=/; HttpOnly; SameSite=Lax; Secure");
    expect(cookie.serialize("x")).not.toMatch(/Domain=/i);
    expect(cookie.serializeClear()).toBe("__Host-sdk_binding_slack=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure");
    expect(cookie.attributes).toEqual({ httpOnly: true, secure: true, sameSite: "lax", path: "/", maxAgeSeconds: 600 });
  });

  it("on http (local development): no prefix and no Secure, which a browser would refuse there", () => {
    const cookie = browserBindingCookie({ secure: false, maxAgeSeconds: 300 });
    expect(cookie.name).toBe("sdk_binding_install");
    expect(cookie.serialize("abc")).toBe("sdk_binding_install=abc; Max-Age=300; Path=/; HttpOnly; SameSite=Lax");
  });

  it("reads its own value back from a Cookie header, and null when it is absent", () => {
    const cookie = browserBindingCookie({ name: "jira" });
    const binding = "a b;c=d/é";
    const stored = cookie.serialize(binding).split(";")[0]!;
    expect(cookie.parse(`theme=dark; ${stored}; __Host-sdk_binding_slack=other`)).toBe(binding);
    expect(cookie.parse("theme=dark; __Host-sdk_binding_slack=other")).toBeNull();
    expect(cookie.parse(undefined)).toBeNull();
    expect(cookie.parse(`${cookie.name}=`)).toBeNull();
    expect(cookie.parse(`${cookie.name}=%E0%A4%A`)).toBeNull();
  });

  it.each([
    [{ name: "bad name" }, "name"],
    [{ maxAgeSeconds: 5 }, "maxAgeSeconds"],
  ])("refuses %j as misconfigured naming the option", (options, field) => {
    let caught: unknown;
    try {
      browserBindingCookie(options);
    } catch (error) {
      caught = error;
    }
    expect(SdkError.is(caught, "misconfigured") && caught.details.field).toBe(field);
  });
});
