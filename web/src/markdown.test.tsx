import { render } from "@testing-library/react";
import { Markdown } from "./markdown";

test("headings, lists, emphasis, code and links", () => {
  const { container } = render(
    <Markdown text={"## Why\nMost heads attend to **a few** blocks, see `attn.py`.\n\n1. profile\n2. *write* a kernel\n\n[paper](https://arxiv.org/abs/2004.05150)"} />,
  );
  expect(container.querySelector("h4")?.textContent).toBe("Why");
  expect(container.querySelector("strong")?.textContent).toBe("a few");
  expect(container.querySelector("code")?.textContent).toBe("attn.py");
  expect(container.querySelectorAll("ol li")).toHaveLength(2);
  expect(container.querySelector("em")?.textContent).toBe("write");
  const a = container.querySelector("a");
  expect(a?.getAttribute("href")).toBe("https://arxiv.org/abs/2004.05150");
  expect(a?.getAttribute("rel")).toContain("noopener");
});

test("HTML in a pitch stays text, and only http(s) links become links", () => {
  const { container } = render(
    <Markdown text={'<img src=x onerror="alert(1)"> <script>alert(2)</script> [x](javascript:alert(3))'} />,
  );
  expect(container.querySelector("img")).toBeNull();
  expect(container.querySelector("script")).toBeNull();
  expect(container.querySelector("a")).toBeNull();
  expect(container.textContent).toContain("<script>alert(2)</script>");
});
