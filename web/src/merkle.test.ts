// Vectors from a real `qiusuo serve` (its demo lab): an export line, two inclusion
// proofs into a 19-entry tree, and the checkpoint the server signed for it.
import { entryBytes, leafHash, verifyCheckpoint, verifyInclusion } from "./merkle";

const line =
  '{"hash":"502150ec002c52c14dbf728fa2eb41ec2dc0751a7d90e72ccdaf261c0200f77e","entry":{"v":1,"seq":3,"at":1796046764,"prev":"263c5cb61840921b51d1fce17d2f4f41dfb5f34d9c9c1604637e5af66cb3f095","actor":"kofi","contributor":"@kofi","kind":"conceptualization","project":null,"quantity":0,"unit":"","evidence":"idea:3","note":"posted the idea: Pure RL for reasoning without supervised warm-up","self":false,"corrects":null}}';
const root = "bc6da14d06b9861177c19ac30239c5a4fc25954c7f99db98b7956e35a6a960af";
const third = {
  leaf: "502150ec002c52c14dbf728fa2eb41ec2dc0751a7d90e72ccdaf261c0200f77e",
  path: [
    "17eaa6f175bc707365a9b7658b8f519ce65635887332c52ae21d4fba0b76c27b",
    "905b3d1e3530f4aefe4905dc5ec4652baecdfddfe70a8bad87869002d164ccb5",
    "cae50cb47bf4a9371d8023b90eb420c40f0c1a5ceb8045d82f900d54e7c2d663",
    "3eeb8805426ffe12e6fa968c8ae26aeab860b8cbc47cb39b0066cfcd63b499f7",
    "42e570a4240ad4ef72246da6688f783b623b6fbfe46a0e4f10f2957c8550003e",
  ],
};
const last = {
  leaf: "47c9d4b2ae74770a27a560cc85b8e767f357f435e9a657b130460ed54def6e9e",
  path: [
    "ea3d184c279f4cb189c61551d8aebf3c0de606002356970b3e9a083bc04442cc",
    "573bc5b937560730c5ec96bf0decd84b449fa62231839cdac6ec9140897db90f",
  ],
};

test("an export line's entry hashes to its leaf", async () => {
  expect(await leafHash(entryBytes(line))).toBe(third.leaf);
  expect(await leafHash(entryBytes(line.replace("kofi", "mallory")))).not.toBe(third.leaf);
});

test("inclusion proofs from the server lead to the signed root", async () => {
  expect(await verifyInclusion(2, 19, third.leaf, third.path, root)).toBe(true);
  expect(await verifyInclusion(18, 19, last.leaf, last.path, root)).toBe(true);
});

test("a proof for the wrong position, leaf, path or size fails", async () => {
  expect(await verifyInclusion(3, 19, third.leaf, third.path, root)).toBe(false);
  expect(await verifyInclusion(2, 19, last.leaf, third.path, root)).toBe(false);
  expect(await verifyInclusion(2, 19, third.leaf, third.path.slice(1), root)).toBe(false);
  expect(await verifyInclusion(2, 16, third.leaf, third.path, root)).toBe(false);
  expect(await verifyInclusion(19, 19, last.leaf, last.path, root)).toBe(false);
});

test("the checkpoint's Ed25519 signature checks out, and a changed one does not", async () => {
  const key = "da48d447075abee9e902aa3861a5f60ddb829caef2c7a23ef5823aec7247fc2f";
  const sig =
    "6e5e9c553d36e08cf8b84fed0afdda00e747bf3961dbbe9debdab67ef18a9973dbed6742decaeb23a611866071ab34e1f5a9cc08930da82a3a5437626275140c";
  expect(await verifyCheckpoint(key, 19, root, 1796047271, sig)).toBe(true);
  expect(await verifyCheckpoint(key, 20, root, 1796047271, sig)).toBe(false);
  expect(await verifyCheckpoint(key, 19, root, 1796047272, sig)).toBe(false);
});
