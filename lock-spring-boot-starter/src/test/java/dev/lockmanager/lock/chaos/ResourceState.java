package dev.lockmanager.lock.chaos;

import java.util.List;

/**
 * What the fenced resource holds at the end of a run.
 *
 * @param value the counter every accepted write incremented (as read-modify-write)
 * @param acceptedTokens the fencing token of every accepted write, in the order the resource applied them
 */
record ResourceState(long value, List<Long> acceptedTokens) {

	ResourceState {
		acceptedTokens = List.copyOf(acceptedTokens);
	}

}
