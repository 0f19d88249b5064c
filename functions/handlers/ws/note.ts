import { noteFrame } from '../../protocol/client-frames';
import { writeNote } from '../../services/notes';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('note', noteFrame, (ports, caller, frame) => writeNote(ports, caller, frame));
