// Reading a QR code from the camera: the browser's BarcodeDetector where it has one (Chrome on
// Android), else jsQR on frames drawn into a canvas. Camera failures become AppErrors by their
// DOMException name, so the UI can say "denied" or "no camera" and offer paste instead.
import { AppError } from '../errors/app-error.ts'

export type FrameDecoder = (video: HTMLVideoElement) => Promise<string | null>

interface DetectedBarcode {
  rawValue: string
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>
}
interface BarcodeDetectorClass {
  new (opts: { formats: string[] }): BarcodeDetectorLike
  getSupportedFormats(): Promise<string[]>
}

/** Frames are scaled down to this width for jsQR: plenty for a QR code, and fast on a phone. */
const JSQR_WIDTH = 640

export async function createFrameDecoder(): Promise<FrameDecoder> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector
  if (Detector && (await Detector.getSupportedFormats().catch((): string[] => [])).includes('qr_code')) {
    const detector = new Detector({ formats: ['qr_code'] })
    return async (video) => (await detector.detect(video))[0]?.rawValue ?? null
  }
  const { default: jsQR } = await import('jsqr')
  const canvas = document.createElement('canvas')
  const context = canvas.getContext('2d', { willReadFrequently: true })
  if (!context) throw new AppError('CAMERA_UNAVAILABLE', 'No 2D canvas to read camera frames into')
  return async (video) => {
    if (!video.videoWidth) return null
    const scale = Math.min(1, JSQR_WIDTH / video.videoWidth)
    canvas.width = Math.round(video.videoWidth * scale)
    canvas.height = Math.round(video.videoHeight * scale)
    context.drawImage(video, 0, 0, canvas.width, canvas.height)
    const image = context.getImageData(0, 0, canvas.width, canvas.height)
    return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data ?? null
  }
}

/** The rear camera's stream; throws AppError CAMERA_DENIED or CAMERA_UNAVAILABLE. */
export async function openCamera(): Promise<MediaStream> {
  // Absent outside a secure context (plain http on a LAN address) and on browsers without cameras.
  if (!navigator.mediaDevices?.getUserMedia) throw new AppError('CAMERA_UNAVAILABLE', 'This browser offers no camera here')
  try {
    return await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
  } catch (err) {
    const name = err instanceof DOMException ? err.name : ''
    if (name === 'NotAllowedError' || name === 'SecurityError') throw new AppError('CAMERA_DENIED', 'The camera permission was refused')
    throw new AppError('CAMERA_UNAVAILABLE', `The camera could not be opened (${name || String(err)})`)
  }
}
