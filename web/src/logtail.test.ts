import { LogTail } from "./logtail";

test("a stream that starts again from the first byte after a reconnect adds nothing twice", () => {
  const tail = new LogTail();
  tail.opened();
  tail.add("step 1\n");
  tail.add("step 2\n");
  tail.opened(); // the server started over
  expect(tail.add("step 1\nstep 2\nste")).toBe("ste");
  expect(tail.add("p 3\n")).toBe("p 3\n");
  expect(tail.text).toBe("step 1\nstep 2\nstep 3\n");
  expect(tail.bytes).toBe(21);
});

test("numbered events (id = byte offset after the event) resume where they left off", () => {
  const tail = new LogTail();
  tail.opened();
  tail.add("αβ\n", "5");
  tail.add("γ\n", "8");
  tail.opened();
  // A server that resumed from Last-Event-ID 8 sends only what follows...
  expect(tail.add("δ\n", "11")).toBe("δ\n");
  // ...and one that resent an event already shown changes nothing.
  expect(tail.add("γ\n", "8")).toBe("");
  expect(tail.text).toBe("αβ\nγ\nδ\n");
});

test("an event that overlaps what is shown adds only its new bytes", () => {
  const tail = new LogTail();
  tail.add("abcdef", "6");
  expect(tail.add("defgh", "8")).toBe("gh");
  expect(tail.text).toBe("abcdefgh");
});
