package dev.lockmanager.lock.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The temporary directory of one redis-server: config file, data and output log. The log is appended to across
 * restarts; readers pass the log size before a start to see only that start's output.
 */
final class ServerDirectory {

	private static final int TAIL_LINES = 30;

	private final Path path;

	private ServerDirectory(Path path) {
		this.path = path;
	}

	static ServerDirectory create() {
		try {
			Path path = Files.createTempDirectory("redis-server-");
			// Sentinel refuses to run without a writable config file, so every server gets one
			Files.createFile(path.resolve("redis.conf"));
			return new ServerDirectory(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create a directory for redis-server", ex);
		}
	}

	Path path() {
		return this.path;
	}

	Path configFile() {
		return this.path.resolve("redis.conf");
	}

	File log() {
		return this.path.resolve("redis.log").toFile();
	}

	/**
	 * Returns what the server wrote from {@code offset} on, a size of the log taken earlier.
	 */
	String output(long offset) {
		try (InputStream in = Files.newInputStream(log().toPath())) {
			in.skipNBytes(offset);
			return new String(in.readAllBytes(), UTF_8);
		}
		catch (IOException ex) {
			return "(could not read " + log() + ": " + ex + ")";
		}
	}

	/**
	 * Returns the last lines of {@link #output(long)}, enough to explain a failed start.
	 */
	String tail(long offset) {
		List<String> lines = output(offset).lines().toList();
		return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
	}

	void delete() {
		try (Stream<Path> paths = Files.walk(this.path)) {
			for (Path file : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not delete " + this.path, ex);
		}
	}

}
