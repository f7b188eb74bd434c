package dev.lockmanager.lock.chaos;

import java.util.Map;

/**
 * An acquisition that did not succeed within its wait time: the lock was held throughout, or Redis could not be
 * reached.
 *
 * @param process the client process
 * @param start when {@code acquire} was called ({@link System#nanoTime()})
 * @param end when it threw
 * @param unavailable whether it was {@link dev.lockmanager.lock.LockBackendUnavailableException} (else a plain
 * timeout)
 */
record AcquireFailure(String process, long start, long end, boolean unavailable) {

	String toLine() {
		return "failed process=" + this.process + " start=" + this.start + " end=" + this.end + " unavailable="
				+ this.unavailable;
	}

	static AcquireFailure fromLine(String line) {
		Map<String, String> fields = Operation.fields(line, "failed ");
		return new AcquireFailure(fields.get("process"), Long.parseLong(fields.get("start")),
				Long.parseLong(fields.get("end")), Boolean.parseBoolean(fields.get("unavailable")));
	}

}
