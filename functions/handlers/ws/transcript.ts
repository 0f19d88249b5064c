import { transcriptFrame } from '../../protocol/client-frames';
import { sendTranscript } from '../../services/transcripts';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('transcript', transcriptFrame, (ports, caller, frame) => sendTranscript(ports, caller, frame));
