package images

// Limits bound what the server accepts from the editor, whatever model is
// chosen later. The zero value uses the defaults below. They come from the
// configuration's [images] table, whose keys each refusal names.
type Limits struct {
	MaxFileBytes int64 // encoded bytes of one image as read; default DefaultMaxFileBytes
	MaxPixels    int64 // width*height declared by the header; default DefaultMaxPixels
	MaxImages    int   // images in one request; default DefaultMaxImages
}

const (
	// DefaultMaxFileBytes is above any screenshot a 6K display makes, so a
	// refusal means something that is not a mockup.
	DefaultMaxFileBytes = 50 << 20
	// DefaultMaxPixels is 50 megapixels: a full-page screenshot of
	// 1440x30000 fits, and decoding it costs at most 200 MB of RGBA. A
	// header that declares more is refused before any pixel is allocated.
	DefaultMaxPixels = 50_000_000
	// DefaultMaxImages keeps one request well inside every provider's
	// count (Bedrock, the lowest, takes 20).
	DefaultMaxImages = 8
)

// The configuration keys of the limits, named in each refusal so that the
// user knows which setting decided it.
const (
	settingMaxFileMB = "images.max_file_mb"
	settingMaxPixels = "images.max_pixels"
	settingMaxImages = "images.max_images"
)

func (l Limits) withDefaults() Limits {
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxImages <= 0 {
		l.MaxImages = DefaultMaxImages
	}
	return l
}

// Target is what one provider takes: the image sent is scaled down,
// keeping its aspect ratio, until it is inside every non-zero bound.
type Target struct {
	MaxLongSide  int // pixels on the longer side
	MaxShortSide int // pixels on the shorter side
	MaxPixels    int // width*height
	MaxBytes     int // encoded bytes of one image
}

// The documented limits, per wire protocol.
var (
	// OpenAI, "Images and vision": in high detail an image is first fitted
	// into 2048x2048, then scaled so its short side is 768 px; anything
	// larger is scaled down on their side and only costs upload time. Up to
	// 20 MB per image.
	// https://platform.openai.com/docs/guides/images-vision
	openAITarget = Target{MaxLongSide: 2048, MaxShortSide: 768, MaxBytes: 20 << 20}
	// Anthropic, "Vision": images over 8000x8000 are refused; a long edge
	// over 1568 px (or over about 1.15 megapixels) is scaled down first and
	// only adds latency; 5 MB per image on the API.
	// https://docs.anthropic.com/en/docs/build-with-claude/vision
	anthropicTarget = Target{MaxLongSide: 1568, MaxPixels: 1_150_000, MaxBytes: 5 << 20}
	// Bedrock Converse, Message content: "Each image's size, height, and
	// width must be no more than 3.75 MB, 8000 px, and 8000 px". The models
	// behind it (Claude, Nova, Llama) see no more than Anthropic's 1568 px.
	// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html
	bedrockTarget = Target{MaxLongSide: 1568, MaxPixels: 1_150_000, MaxBytes: 3_750_000}
	// Gemini on Vertex AI, "Image understanding": 7 MB per inline image for
	// current models, within a 20 MB request; 3072 px keeps its tiling's
	// detail for text in screenshots.
	// https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/image-understanding
	vertexTarget = Target{MaxLongSide: 3072, MaxBytes: 7 << 20}
	// Mistral's vision page states no byte limit; Pixtral's encoder works
	// at up to 1024 px a side and scales larger images down itself (the
	// pixtral-12b model card). 10 MB is a bound of ours.
	// https://docs.mistral.ai/capabilities/vision
	// https://www.scaleway.com/en/docs/managed-inference/reference-content/pixtral-12b-2409/
	mistralTarget = Target{MaxLongSide: 1024, MaxBytes: 10 << 20}
	// Local runners (Ollama's images array, llama.cpp's multimodal
	// projector): the limit is the model's; 1568 px is what current
	// open-weight vision encoders use without tiling losses, and keeps the
	// prompt short on a laptop.
	// https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
	localTarget = Target{MaxLongSide: 1568, MaxBytes: 10 << 20}
)

// TargetFor returns the limits of a provider type as config names it
// ([providers.NAME] type). An unknown type gets the strictest common
// bounds, so that an image fits whatever is behind it.
func TargetFor(providerType string) Target {
	switch providerType {
	case "openai", "azure", "openrouter", "together", "vllm", "lmstudio":
		return openAITarget
	case "anthropic":
		return anthropicTarget
	case "bedrock":
		return bedrockTarget
	case "vertex", "gemini":
		return vertexTarget
	case "mistral":
		return mistralTarget
	case "ollama", "llamacpp":
		return localTarget
	}
	return Target{MaxLongSide: 1024, MaxPixels: 1_150_000, MaxBytes: 3_750_000}
}

// CheckCount refuses a request with more than lim.MaxImages images.
func CheckCount(n int, lim Limits) error {
	lim = lim.withDefaults()
	if n > lim.MaxImages {
		return errorf(ErrTooManyImages, "%d images in one request, at most %d are sent (%s): attach fewer images, or raise %s", n, lim.MaxImages, settingMaxImages, settingMaxImages)
	}
	return nil
}
