package dev.lockmanager.lock.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Locates the {@code redis-server} executable, once per JVM: the {@code REDIS_SERVER} environment variable, else
 * {@code redis-server} on the {@code PATH}, else the binary bundled in the
 * {@code com.github.codemonstur:embedded-redis} jar, extracted to a temporary directory.
 */
final class RedisBinary {

	private static final String ENVIRONMENT_VARIABLE = "REDIS_SERVER";

	private static Path resolved;

	private static Boolean tls;

	private RedisBinary() {
	}

	static synchronized Path path() {
		if (resolved == null) {
			resolved = resolve();
		}
		return resolved;
	}

	/**
	 * Whether the binary was built with TLS. Told by starting it with no port at all: one with TLS accepts
	 * {@code tls-port 0} and exits as it has nothing to listen on; one without refuses the directive.
	 */
	static synchronized boolean supportsTls() {
		if (tls == null) {
			try {
				Process probe = new ProcessBuilder(path().toString(), "--port", "0", "--tls-port", "0", "--save", "")
					.redirectErrorStream(true)
					.start();
				String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
				if (!probe.waitFor(10, TimeUnit.SECONDS)) {
					probe.destroyForcibly();
					throw new IllegalStateException(path() + " --port 0 --tls-port 0 did not exit: " + output);
				}
				tls = !output.contains("Bad directive");
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not run " + path(), ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while asking " + path() + " about TLS", ex);
			}
		}
		return tls;
	}

	private static Path resolve() {
		String override = System.getenv(ENVIRONMENT_VARIABLE);
		if (override != null && !override.isBlank()) {
			Path binary = Path.of(override);
			if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
				throw new IllegalStateException(ENVIRONMENT_VARIABLE + "=" + override + " is not an executable file");
			}
			return binary;
		}
		return onPath().orElseGet(RedisBinary::extractBundled);
	}

	private static Optional<Path> onPath() {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		for (String directory : path.split(Pattern.quote(File.pathSeparator))) {
			try {
				Path candidate = Path.of(directory, "redis-server");
				if (!directory.isEmpty() && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
					return Optional.of(candidate);
				}
			}
			catch (InvalidPathException ex) {
				// A malformed PATH entry cannot hold the binary either
			}
		}
		return Optional.empty();
	}

	private static Path extractBundled() {
		String resource = bundledResource(System.getProperty("os.name"), System.getProperty("os.arch"));
		try (InputStream in = RedisBinary.class.getResourceAsStream("/" + resource)) {
			if (in == null) {
				throw new IllegalStateException("No redis-server found: set " + ENVIRONMENT_VARIABLE
						+ ", put redis-server on the PATH or add com.github.codemonstur:embedded-redis (resource "
						+ resource + ") to the test classpath");
			}
			Path directory = Files.createTempDirectory("redis-binary-");
			// Named plainly so the processes show up as redis-server in ps/pgrep
			Path binary = directory.resolve("redis-server");
			// deleteOnExit works in reverse registration order: the file goes before its directory
			directory.toFile().deleteOnExit();
			binary.toFile().deleteOnExit();
			Files.copy(in, binary);
			if (!binary.toFile().setExecutable(true, true)) {
				throw new IllegalStateException("Could not make " + binary + " executable");
			}
			return binary;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not extract " + resource, ex);
		}
	}

	/** Name of the embedded-redis resource for a platform, as reported by {@code os.name} and {@code os.arch}. */
	static String bundledResource(String osName, String osArch) {
		String os = osName.toLowerCase(Locale.ROOT);
		String arch = osArch.toLowerCase(Locale.ROOT);
		boolean amd64 = arch.equals("amd64") || arch.equals("x86_64");
		boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
		boolean x86 = arch.matches("x86|i[3-6]86");
		if (os.contains("linux")) {
			if (amd64) {
				return "redis-server-6.2.6-v5-linux-amd64";
			}
			if (arm64) {
				return "redis-server-6.2.7-linux-arm64";
			}
			if (x86) {
				return "redis-server-6.2.7-linux-386";
			}
		}
		else if (os.contains("mac") || os.contains("darwin")) {
			if (amd64) {
				return "redis-server-6.2.6-v5-darwin-amd64";
			}
			if (arm64) {
				return "redis-server-6.2.6-v5-darwin-arm64";
			}
		}
		throw new IllegalStateException("No bundled redis-server for " + osName + "/" + osArch
				+ ": install redis-server on the PATH or set " + ENVIRONMENT_VARIABLE + " to its path");
	}

}
