package dev.lockmanager.lock.redis.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.lockmanager.lock.testing.RedisServer;

/**
 * An {@code ACL SETUSER} line of the README's Security section, read from the README itself so that the tests check
 * what users paste.
 *
 * @param words the words after {@code ACL SETUSER}: the user name, then its rules
 */
record ReadmeAcl(List<String> words) {

	/** The password every README line sets. */
	static final String PASSWORD = "CHANGE-ME";

	/**
	 * The line that follows the comment line starting with {@code # <label>}.
	 */
	static ReadmeAcl after(String label) {
		List<String> lines = readme();
		for (int i = 0; i + 1 < lines.size(); i++) {
			if (lines.get(i).startsWith("# " + label) && lines.get(i + 1).startsWith("ACL SETUSER ")) {
				return new ReadmeAcl(List.of(lines.get(i + 1).substring("ACL SETUSER ".length()).split(" ")));
			}
		}
		throw new IllegalStateException("The README has no ACL SETUSER line under '# " + label + "'");
	}

	String user() {
		return this.words.get(0);
	}

	/**
	 * The permissions the line grants: its commands ({@code +name}), key patterns ({@code ~…}) and channel patterns
	 * ({@code &…}).
	 */
	List<String> permissions() {
		return this.words.stream().filter((word) -> word.matches("[+~&].*")).toList();
	}

	/** The same line without one of its permissions. */
	ReadmeAcl without(String permission) {
		List<String> words = new ArrayList<>(this.words);
		if (!words.remove(permission)) {
			throw new IllegalArgumentException(permission + " is not in " + this);
		}
		return new ReadmeAcl(words);
	}

	/** The same line with one more permission. */
	ReadmeAcl with(String permission) {
		List<String> words = new ArrayList<>(this.words);
		words.add(permission);
		return new ReadmeAcl(words);
	}

	/**
	 * Creates or replaces the user on each server, and clears their ACL logs.
	 */
	void applyTo(List<RedisServer> servers) {
		for (RedisServer server : servers) {
			List<String> command = new ArrayList<>(List.of("ACL", "SETUSER"));
			command.addAll(this.words);
			server.execute(command.toArray(String[]::new));
			server.execute("ACL", "LOG", "RESET");
		}
	}

	/**
	 * The refusals each server logged ({@code ACL LOG}), as {@code port: entry}; empty when none refused anything but
	 * Lettuce's {@code CLIENT SETINFO}, which it sends on connecting and whose refusal it ignores (Redis 6.2 logs it as
	 * {@code client}, 7.2 and newer as {@code client|setinfo}; 7.0 does not know it).
	 */
	static List<String> refusals(List<RedisServer> servers) {
		List<String> refusals = new ArrayList<>();
		for (RedisServer server : servers) {
			for (Object entry : (List<?>) server.execute("ACL", "LOG")) {
				List<?> fields = (List<?>) entry;
				Object refused = fields.get(fields.indexOf("object") + 1);
				if (!"client".equals(refused) && !"client|setinfo".equals(refused)) {
					refusals.add(server.port() + ": " + entry);
				}
			}
		}
		return refusals;
	}

	@Override
	public String toString() {
		return "ACL SETUSER " + String.join(" ", this.words);
	}

	private static List<String> readme() {
		for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
			Path readme = directory.resolve("README.md");
			if (Files.isRegularFile(readme) && Files.isDirectory(directory.resolve("lock-spring-boot-starter"))) {
				try {
					return Files.readAllLines(readme);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}
		throw new IllegalStateException("The project's README.md was not found above " + Path.of("").toAbsolutePath());
	}

}
