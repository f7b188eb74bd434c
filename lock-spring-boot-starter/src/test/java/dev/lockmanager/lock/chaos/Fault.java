package dev.lockmanager.lock.chaos;

/**
 * One fault injected by a nemesis.
 *
 * @param kind what was done, e.g. {@code SIGSTOP holder}
 * @param target whom it was done to: a client process or a Redis server
 * @param injected when it began ({@link System#nanoTime()})
 * @param healed when it ended: the process resumed, the server answered again, the promoted replica took over;
 * equal to {@code injected} for an instant fault such as a kill
 */
record Fault(String kind, String target, long injected, long healed) {

	String toLine() {
		return "fault kind=" + this.kind.replace(' ', '_') + " target=" + this.target + " injected=" + this.injected
				+ " healed=" + this.healed;
	}

}
