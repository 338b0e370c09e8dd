import { tokenFromFragment } from './fragment'

describe('the token of an emailed link, from the URL fragment', () => {
  it('reads #token=…', () => {
    expect(tokenFromFragment('#token=abc_DEF-123')).toBe('abc_DEF-123')
    expect(tokenFromFragment('token=abc')).toBe('abc')
    expect(tokenFromFragment('#x=1&token=abc')).toBe('abc')
    expect(tokenFromFragment('#token=a%2Bb')).toBe('a+b')
  })

  it('is null when missing or empty', () => {
    expect(tokenFromFragment('')).toBeNull()
    expect(tokenFromFragment('#')).toBeNull()
    expect(tokenFromFragment('#token=')).toBeNull()
    expect(tokenFromFragment('#token=%20')).toBeNull()
    expect(tokenFromFragment('#tok=abc')).toBeNull()
  })
})
