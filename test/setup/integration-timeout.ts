// Integration tests start real servers and run real pytest: a generous default per test.
// (`testTimeout` inside a jest project entry is ignored; files may still set their own.)
jest.setTimeout(300_000);
