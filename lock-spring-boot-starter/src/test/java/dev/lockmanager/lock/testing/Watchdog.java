package dev.lockmanager.lock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;

/**
 * A shell process that SIGKILLs a process the tests started (a redis-server, a client JVM) once the JVM that started
 * it is gone. Shutdown hooks do not run when the JVM itself is SIGKILLed (e.g. by a build timeout), and the process
 * would otherwise outlive the build; SIGKILL also ends a process left paused (SIGSTOP). It polls once a second and
 * ends on its own when the guarded process is gone.
 */
public final class Watchdog implements AutoCloseable {

	// $1 is the JVM, $2 the guarded process. Killing only once the JVM is gone spares a recycled pid after a normal stop.
	private static final String SCRIPT = "while kill -0 \"$1\" 2>/dev/null && kill -0 \"$2\" 2>/dev/null; do sleep 1;"
			+ " done; kill -0 \"$1\" 2>/dev/null || kill -9 \"$2\" 2>/dev/null";

	private final Process process;

	private Watchdog(Process process) {
		this.process = process;
	}

	/**
	 * Starts a watchdog for a process.
	 * @param pid the process to SIGKILL once this JVM is gone
	 * @return the running watchdog; {@link #close()} it once the process has ended
	 */
	public static Watchdog guard(long pid) {
		try {
			Process process = new ProcessBuilder("/bin/sh", "-c", SCRIPT, "test-watchdog",
					String.valueOf(ProcessHandle.current().pid()), String.valueOf(pid))
				.redirectOutput(Redirect.DISCARD)
				.redirectError(Redirect.DISCARD)
				.start();
			return new Watchdog(process);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start the watchdog of process " + pid, ex);
		}
	}

	long pid() {
		return this.process.pid();
	}

	/**
	 * Ends the watchdog, leaving the guarded process alone.
	 */
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
