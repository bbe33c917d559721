import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { api, ApiError, type Idea } from "../../api";
import { setLang } from "../../i18n";
import { EditIdea } from "./EditIdea";

const idea: Idea = {
  id: 7,
  title: "Sparse attention",
  pitch: "why",
  author: "ada",
  backers: [],
  backer_count: 0,
  created_at: "2026-01-01T00:00:00Z",
};

beforeEach(() => setLang("en"));

test("the author's edit sends the title and pitch and hands back the edited idea", async () => {
  const edited = { ...idea, title: "Sparser attention", pitch: "**how**" };
  const spy = vi.spyOn(api, "editIdea").mockResolvedValue(edited);
  const onSaved = vi.fn();
  render(<EditIdea idea={idea} onSaved={onSaved} />);
  fireEvent.click(screen.getByRole("button", { name: "Edit" }));
  fireEvent.change(screen.getByLabelText("Title"), { target: { value: "Sparser attention" } });
  fireEvent.change(screen.getByLabelText("Pitch (Markdown)"), { target: { value: "**how**" } });
  fireEvent.click(screen.getByRole("tab", { name: "Preview" }));
  expect(screen.getByText("how").tagName).toBe("STRONG");
  fireEvent.click(screen.getByRole("button", { name: "Save" }));
  await waitFor(() => expect(onSaved).toHaveBeenCalledWith(edited));
  expect(spy).toHaveBeenCalledWith(7, { title: "Sparser attention", pitch: "**how**" });
  await waitFor(() => expect(screen.queryByRole("form")).toBeNull());
  spy.mockRestore();
});

test("a refused edit keeps the form open and says why", async () => {
  const spy = vi
    .spyOn(api, "editIdea")
    .mockRejectedValue(new ApiError(422, "invalid_argument", "a title is 1 to 200 characters", "title"));
  render(<EditIdea idea={idea} onSaved={vi.fn()} />);
  fireEvent.click(screen.getByRole("button", { name: "Edit" }));
  fireEvent.click(screen.getByRole("button", { name: "Save" }));
  expect((await screen.findByRole("alert")).textContent).toContain("a title is 1 to 200 characters");
  expect(screen.getByRole("form", { name: "Edit your idea" })).toBeTruthy();
  spy.mockRestore();
});
