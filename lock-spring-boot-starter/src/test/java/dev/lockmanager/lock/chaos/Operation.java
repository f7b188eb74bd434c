package dev.lockmanager.lock.chaos;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One iteration of a client's loop as its history records it: a lease acquired, the fenced read-modify-write on the
 * resource, the release. Times are {@link System#nanoTime()} readings, comparable across the suite's processes
 * because they all run on one Linux host (one {@code CLOCK_MONOTONIC}), plus wall-clock instants for people.
 * <p>
 * The holder's interval is {@code [acquired, end]}: from the moment {@code acquire} returned to the moment the
 * holder was done with the resource and called {@code release}. For a holder killed before it was done, the interval
 * ends when it was killed, and the operation is not {@linkplain #completed() completed}.
 *
 * @param process the client process (and its thread, when it runs several)
 * @param token the lease's fencing token, which also identifies the lease
 * @param acquireStart when {@code acquire} was called
 * @param acquired when {@code acquire} returned the lease
 * @param end when the holder was done with the resource and called {@code release}, or when it was killed
 * @param released when {@code release} returned; -1 when not completed
 * @param acquiredAt wall clock when the lease was acquired
 * @param endedAt wall clock at {@code end}
 * @param completed whether the client reported the whole operation
 * @param heldAtEnd {@link dev.lockmanager.lock.Lease#isHeld()} just before the release
 * @param release what the release said
 * @param lostNotified whether {@link dev.lockmanager.lock.LeaseListener#lost} was called for this lease
 * @param answer what the resource answered
 * @param value the value written when {@link Answer#ACCEPTED}, else -1
 */
record Operation(String process, long token, long acquireStart, long acquired, long end, long released,
		Instant acquiredAt, Instant endedAt, boolean completed, boolean heldAtEnd, Release release,
		boolean lostNotified, Answer answer, long value) {

	/** What {@code Lease.release()} did. */
	enum Release {

		/** Returned normally. */
		RELEASED,
		/** Threw {@link dev.lockmanager.lock.LeaseLostException}. */
		LOST,
		/** Threw anything else. */
		FAILED,
		/** Never called: the process died holding the lease. */
		NONE

	}

	/** What the fenced resource answered. */
	enum Answer {

		/** The write was applied. */
		ACCEPTED,
		/** A newer token had already claimed the resource: nothing was read or written. */
		CLAIM_REFUSED,
		/** A newer token claimed the resource between this holder's claim and its write: the write was refused. */
		WRITE_REFUSED,
		/** The resource could not be reached (it is never faulted, so this is a failure of the suite). */
		ERROR,
		/** The process died before it reported the answer. */
		UNKNOWN

	}

	/**
	 * Whether the library told the holder that this lease was lost, or that its validity had run out: the lease
	 * was not held any more at the end, its release threw {@link dev.lockmanager.lock.LeaseLostException}, or a
	 * listener was told.
	 */
	boolean reportedLost() {
		return !this.heldAtEnd || this.release == Release.LOST || this.lostNotified;
	}

	/** Whether this operation's holder interval overlaps {@code other}'s. */
	boolean overlaps(Operation other) {
		return this.acquired < other.end && other.acquired < this.end;
	}

	/** The line a client prints for a completed operation. */
	String toLine() {
		return "op process=" + this.process + " token=" + this.token + " acquireStart=" + this.acquireStart
				+ " acquired=" + this.acquired + " end=" + this.end + " released=" + this.released + " acquiredAt="
				+ this.acquiredAt + " endedAt=" + this.endedAt + " held=" + this.heldAtEnd + " release="
				+ this.release + " lostNotified=" + this.lostNotified + " answer=" + this.answer + " value="
				+ this.value;
	}

	static Operation fromLine(String line) {
		Map<String, String> fields = fields(line, "op ");
		return new Operation(fields.get("process"), Long.parseLong(fields.get("token")),
				Long.parseLong(fields.get("acquireStart")), Long.parseLong(fields.get("acquired")),
				Long.parseLong(fields.get("end")), Long.parseLong(fields.get("released")),
				Instant.parse(fields.get("acquiredAt")), Instant.parse(fields.get("endedAt")), true,
				Boolean.parseBoolean(fields.get("held")), Release.valueOf(fields.get("release")),
				Boolean.parseBoolean(fields.get("lostNotified")), Answer.valueOf(fields.get("answer")),
				Long.parseLong(fields.get("value")));
	}

	/** The line a client prints as soon as it holds a lease, before touching the resource. */
	static String holdingLine(String process, long token, long acquireStart, long acquired, Instant acquiredAt) {
		return "holding process=" + process + " token=" + token + " acquireStart=" + acquireStart + " acquired="
				+ acquired + " acquiredAt=" + acquiredAt;
	}

	/** The line a client prints once it is done with the resource, before it releases the lease. */
	static String endingLine(String process, long token, long end, Instant endedAt) {
		return "ending process=" + process + " token=" + token + " end=" + end + " endedAt=" + endedAt;
	}

	/**
	 * The operation of a holder that died after its {@code holding} line: it ends when the holder printed its
	 * {@code ending} line (it may have released the lease after that) or else when it was killed; what the resource
	 * answered is unknown.
	 * @param endingLine null when the holder died before it was done with the resource
	 */
	static Operation diedHolding(String holdingLine, String endingLine, long diedAt) {
		Map<String, String> fields = fields(holdingLine, "holding ");
		Instant acquiredAt = Instant.parse(fields.get("acquiredAt"));
		long acquired = Long.parseLong(fields.get("acquired"));
		long end = diedAt;
		Instant endedAt = acquiredAt.plusNanos(diedAt - acquired);
		if (endingLine != null) {
			Map<String, String> ending = fields(endingLine, "ending ");
			end = Long.parseLong(ending.get("end"));
			endedAt = Instant.parse(ending.get("endedAt"));
		}
		return new Operation(fields.get("process"), Long.parseLong(fields.get("token")),
				Long.parseLong(fields.get("acquireStart")), acquired, end, -1, acquiredAt, endedAt, false, true,
				Release.NONE, false, Answer.UNKNOWN, -1);
	}

	static Map<String, String> fields(String line, String prefix) {
		if (!line.startsWith(prefix)) {
			throw new IllegalArgumentException("Not a '" + prefix.trim() + "' line: " + line);
		}
		Map<String, String> fields = new LinkedHashMap<>();
		for (String field : line.substring(prefix.length()).split(" ")) {
			int equals = field.indexOf('=');
			fields.put(field.substring(0, equals), field.substring(equals + 1));
		}
		return fields;
	}

}
