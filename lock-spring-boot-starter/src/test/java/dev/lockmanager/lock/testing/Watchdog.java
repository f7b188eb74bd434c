package dev.lockmanager.lock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;

/**
 * A shell process that SIGKILLs a redis-server once the JVM that started it is gone. Shutdown hooks do not run when
 * the JVM itself is SIGKILLed (e.g. by a build timeout), and the server would otherwise outlive the build. It polls
 * once a second and ends on its own when the server is gone.
 */
final class Watchdog implements AutoCloseable {

	// $1 is the JVM, $2 the server. Killing only once the JVM is gone spares a recycled pid after a normal stop.
	private static final String SCRIPT = "while kill -0 \"$1\" 2>/dev/null && kill -0 \"$2\" 2>/dev/null; do sleep 1;"
			+ " done; kill -0 \"$1\" 2>/dev/null || kill -9 \"$2\" 2>/dev/null";

	private final Process process;

	private Watchdog(Process process) {
		this.process = process;
	}

	static Watchdog guard(long serverPid) {
		try {
			Process process = new ProcessBuilder("/bin/sh", "-c", SCRIPT, "redis-watchdog",
					String.valueOf(ProcessHandle.current().pid()), String.valueOf(serverPid))
				.redirectOutput(Redirect.DISCARD)
				.redirectError(Redirect.DISCARD)
				.start();
			return new Watchdog(process);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start the watchdog of redis-server " + serverPid, ex);
		}
	}

	long pid() {
		return this.process.pid();
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			this.process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
